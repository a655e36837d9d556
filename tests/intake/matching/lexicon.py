"""Curated names of the naming traditions intake meets, with their native-script forms and the
Latin spellings offices actually write, for the evaluation set's generator
(:mod:`tests.intake.matching.generator`).

A lexicon only lists names; how a name is spelt differently is either written here (the usual
spellings seen on documents, for scripts where a spelling cannot be derived letter by letter:
Arabic script leaves short vowels unwritten, Ethiopic marks no gemination) or derived by the
documented rules of :mod:`tests.intake.matching.spelling` (Cyrillic, Turkish, Albanian,
Kurdish Kurmanji, German).

Line format: ``gender | native | spellings``; gender ``m``/``f`` for given names, ``-`` for
family names. For Arabic, Persian, Pashto and Kurdish (Sorani) the native form is written in
that language's Arabic-script orthography (Persian ی and ک, Pashto ټ ډ ړ ږ ښ ځ څ ڼ ګ ې ۍ,
Sorani ێ ۆ ڕ ڵ ە ڤ), for Tigrinya and Amharic in
Ethiopic (Ge'ez); the spellings are separated by `` / ``, the first being the English-style
one the rule-derived German and French forms start from. For Cyrillic the third column is the
Russian cognate of a Ukrainian name (Олександр → Александр), when it differs. For traditions
written in Latin letters the native column is empty and the first spelling is the national
orthography (Turkish, Albanian, Somali of 1972, German; for Kurdish, Kurmanji Latin).

Sources for the forms: the civil-status name lists and transliteration tables named per
tradition below; the native forms are the standard orthography of each name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Name:
    gender: str  # "m", "f", or "-" for a family name
    native: str  # native script, "" when the tradition writes Latin letters
    spellings: tuple[str, ...]  # curated Latin spellings (first: English style / orthography)
    cognate: str = ""  # Cyrillic: the Russian form of a Ukrainian name


def _parse(text: str, *, cyrillic: bool = False) -> tuple[Name, ...]:
    names = []
    for line in text.strip().splitlines():
        gender, native, rest = (cell.strip() for cell in line.split("|"))
        if cyrillic:
            names.append(Name(gender, native, (), rest))
        else:
            names.append(Name(gender, native,
                              tuple(spelling.strip() for spelling in rest.split("/"))))
    return tuple(names)


# Arabic (Syria, Iraq, Jordan, Lebanon, Palestine, Sudan): Latin spellings as on Syrian, Iraqi
# and Sudanese passports and in UNHCR registrations; article forms (Al-/El-/assimilated) are
# derived in spelling.py.
ARABIC_GIVEN = _parse("""
m | محمد | Muhammad / Mohammed / Mohamed / Mohammad / Mohamad / Mhd
m | أحمد | Ahmad / Ahmed
m | علي | Ali / Aly
m | حسن | Hasan / Hassan
m | حسين | Husain / Hussein / Hussain / Husein
m | عمر | Umar / Omar
m | خالد | Khalid / Khaled
m | يوسف | Yusuf / Yousef / Youssef / Yusef
m | إبراهيم | Ibrahim / Ebrahim
m | مصطفى | Mustafa / Mostafa / Moustafa
m | محمود | Mahmud / Mahmoud
m | عبد الله | Abdullah / Abdallah / Abdulla / Abd Allah
m | عبد الرحمن | Abdulrahman / Abdul Rahman / Abdelrahman / Abd al-Rahman / Abdurrahman
m | سامر | Samer
m | سمير | Samir / Sameer
m | كريم | Karim / Kareem
m | جمال | Jamal / Gamal
m | طارق | Tariq / Tarek / Tarik
m | وليد | Walid / Waleed
m | ياسر | Yasir / Yasser / Yaser
m | بلال | Bilal / Belal
m | فراس | Firas / Feras
m | عماد | Imad / Emad
m | رامي | Rami / Ramy
m | زياد | Ziyad / Ziad / Zeyad
m | حمزة | Hamza / Hamzah
m | عثمان | Uthman / Othman / Osman
m | سعيد | Saeed / Said
m | نبيل | Nabil / Nabeel
m | عادل | Adil / Adel
m | ناصر | Nasir / Nasser / Naser
m | جميل | Jamil / Jameel
m | رشيد | Rashid / Rasheed / Rachid
m | صالح | Salih / Saleh
m | حامد | Hamid / Hamed
m | عامر | Amer / Aamer
m | أمير | Amir / Ameer
m | أمين | Amin / Ameen
m | فريد | Farid / Fareed
m | عزيز | Aziz / Azeez
m | حليم | Halim / Haleem
m | لطيف | Latif / Lateef
f | فاطمة | Fatima / Fatma / Fatimah
f | عائشة | Aisha / Aysha / Aicha / Ayesha
f | مريم | Maryam / Mariam / Meriem
f | زينب | Zaynab / Zainab / Zeinab
f | نور | Nur / Nour / Noor
f | رنا | Rana
f | رانيا | Rania / Ranya
f | سارة | Sara / Sarah
f | ليلى | Layla / Leila / Laila
f | هبة | Hiba / Heba
f | هدى | Huda / Hoda / Houda
f | أمينة | Amina / Ameena / Aminah
f | خديجة | Khadija / Khadidja / Khadiga
f | سميرة | Samira / Sameera
f | كريمة | Karima / Kareema
f | جميلة | Jamila / Jameela
f | رشا | Rasha / Racha
f | دعاء | Duaa / Doaa / Dua
f | إيمان | Iman / Eman / Imane
f | ياسمين | Yasmin / Yasmine / Jasmin
f | لينا | Lina / Leena
f | رهف | Rahaf
f | شيماء | Shaimaa / Shaima / Chaimae
f | أسماء | Asmaa / Asma
f | نبيلة | Nabila / Nabeela
f | رشيدة | Rashida / Rachida
f | فريدة | Farida / Fareeda
f | عزيزة | Aziza / Azeeza
f | حليمة | Halima / Haleema
f | لطيفة | Latifa / Lateefa
""")

ARABIC_FAMILY = _parse("""
- | الحسن | Al-Hasan / Al-Hassan / Alhasan
- | الأحمد | Al-Ahmad / Alahmad / Al-Ahmed
- | العلي | Al-Ali / Alali
- | الخطيب | Al-Khatib / Alkhatib / Al-Khateeb
- | الشامي | Al-Shami / Alshami / Al-Chami
- | حداد | Haddad / Hadad
- | الحلبي | Al-Halabi / Alhalabi / Halabi
- | المصري | Al-Masri / Almasri / Al-Masry
- | الحمصي | Al-Homsi / Alhomsi / Al-Himsi
- | النجار | Al-Najjar / Alnajjar / Al-Najar
- | الحسيني | Al-Husseini / Alhusseini / Al-Husaini
- | عبد الله | Abdullah / Abdallah / Abdulla
- | إبراهيم | Ibrahim / Ebrahim
- | حسين | Hussein / Husain / Hussain
- | يوسف | Yusuf / Yousef / Youssef
- | خليل | Khalil / Khaleel
- | صالح | Salih / Saleh
- | محمود | Mahmud / Mahmoud
- | قاسم | Qasim / Kassem / Kasim / Qassem
- | الزعبي | Al-Zoubi / Alzoubi / Al-Zubi
- | العمر | Al-Omar / Alomar / Al-Umar
- | السيد | Al-Sayed / Alsayed / Al-Sayyid
- | الرفاعي | Al-Rifai / Alrifai / Al-Refai
- | درويش | Darwish / Derwish
- | شحادة | Shehadeh / Shihada / Chehade
- | عيسى | Issa / Eissa / Isa
- | موسى | Musa / Mousa / Moussa
- | سليمان | Sulaiman / Suleiman / Soliman
- | الجبوري | Al-Jubouri / Aljuburi / Al-Jabouri
- | التميمي | Al-Tamimi / Altamimi / Tamimi
- | الكردي | Al-Kurdi / Alkurdi / Kurdi
- | العبيدي | Al-Obaidi / Alobaidi / Al-Ubaidi
- | الحمد | Al-Hamad / Alhamad / Al-Hamed
- | عباس | Abbas / Abas
- | جابر | Jabir / Jaber / Gaber
- | أبو زيد | Abu Zaid / Abou Zeid / Abuzaid
- | أبو خليل | Abu Khalil / Abou Khalil / Abukhalil
- | بن علي | Bin Ali / Ben Ali / Benali
""")

# Persian (Iran) and Dari (Afghanistan): spellings of Iranian passports (which follow English
# practice: "Hossein", "-i"/"-ei") and of Afghan tazkiras/passports ("Husain", "-zada").
PERSIAN_GIVEN = _parse("""
m | محمد | Mohammad / Mohamad / Muhammad
m | علی | Ali
m | حسین | Hossein / Hosein / Husain / Hussain
m | رضا | Reza / Riza
m | مهدی | Mehdi / Mahdi
m | امیر | Amir / Ameer
m | علیرضا | Alireza / Ali Reza
m | محمدرضا | Mohammadreza / Mohammad Reza
m | جواد | Javad / Jawad
m | سعید | Saeed / Saied / Said
m | حمید | Hamid / Hameed
m | مجید | Majid / Madjid
m | مسعود | Masoud / Massoud / Masud
m | بهروز | Behrouz / Behruz / Behrooz
m | فرهاد | Farhad
m | داوود | Davood / Davoud / Dawood / Dawud
m | مرتضی | Morteza / Murtaza / Mortaza
m | مصطفی | Mostafa / Mustafa
m | عباس | Abbas
m | احمد | Ahmad / Ahmed
m | یوسف | Yousef / Yusuf
m | کریم | Karim / Kareem
m | نادر | Nader / Nadir
m | بابک | Babak
m | کامران | Kamran
m | پرویز | Parviz / Parwiz
m | شاهرخ | Shahrokh / Shahrukh
m | سهراب | Sohrab / Suhrab
m | رحیم | Rahim / Raheem
m | ذبیح‌الله | Zabihullah / Zabiullah / Zabihollah
f | فاطمه | Fatemeh / Fatima / Fateme
f | زهرا | Zahra
f | مریم | Maryam / Mariam
f | معصومه | Masoumeh / Masumeh / Masooma
f | زینب | Zeinab / Zaynab / Zainab
f | سکینه | Sakineh / Sakina
f | شیرین | Shirin / Shireen
f | پروین | Parvin / Parwin
f | نرگس | Narges / Nargis
f | لیلا | Leila / Laila / Layla
f | مینا | Mina / Meena
f | سارا | Sara / Sarah
f | نازنین | Nazanin / Nazaneen
f | فرزانه | Farzaneh / Farzana
f | طاهره | Tahereh / Tahira / Tahera
f | پری | Pari
f | گلناز | Golnaz / Gulnaz
f | ستاره | Setareh / Sitara / Setara
f | شبنم | Shabnam
f | رحیمه | Rahimeh / Rahima
f | حمیده | Hamideh / Hamida
""")

PERSIAN_FAMILY = _parse("""
- | احمدی | Ahmadi / Ahmady
- | محمدی | Mohammadi / Mohamadi / Muhammadi
- | حسینی | Hosseini / Husseini / Hosaini / Husaini
- | رضایی | Rezaei / Rezaee / Rezai / Rezayi
- | کریمی | Karimi / Karimy
- | رحیمی | Rahimi / Raheemi
- | موسوی | Mousavi / Musavi / Mosawi
- | جعفری | Jafari / Jaafari
- | حیدری | Heidari / Haidari / Heydari
- | صادقی | Sadeghi / Sadiqi / Sadeqi
- | نوری | Nouri / Noori / Nuri
- | قاسمی | Ghasemi / Qasemi / Qasimi
- | نظری | Nazari / Nazary
- | عزیزی | Azizi / Azizy
- | امیری | Amiri / Amiry
- | رسولی | Rasouli / Rasuli
- | کاظمی | Kazemi / Kazimi
- | حسن‌زاده | Hassanzadeh / Hasanzada / Hassan-Zadeh / Hasanzade
- | علیزاده | Alizadeh / Alizada / Ali-Zadeh / Alizade
- | اکبری | Akbari / Akbary
- | یوسفی | Yousefi / Yusufi
- | عطایی | Ataei / Ataie / Atayi
- | سلطانی | Soltani / Sultani
- | هاشمی | Hashemi / Hashimi
- | فرهادی | Farhadi
- | بهرامی | Bahrami
- | طاهری | Taheri / Tahiri
- | حکیمی | Hakimi / Hakeemi
- | میرزایی | Mirzaei / Mirzaee / Mirzai
- | ابراهیمی | Ebrahimi / Ibrahimi
- | جلالی | Jalali / Djalali
- | نیک‌زاد | Nikzad / Nik-Zad
""")

# Pashto (Afghanistan, Pakistan): tribal names as family names, Latin spellings of Afghan
# passports and tazkiras (which often spell the Pashto -zay ending "-zai").
PASHTO_GIVEN = _parse("""
m | محمد | Mohammad / Muhammad / Mohammed
m | احمد | Ahmad / Ahmed
m | زلمی | Zalmai / Zalmay
m | ګل | Gul / Gol
m | ګلاب | Gulab / Golab
m | اجمل | Ajmal / Ajmel
m | نجیب الله | Najibullah / Najeebullah / Najib Ullah
m | حبیب الله | Habibullah / Habib Ullah
m | عبدالله | Abdullah / Abdulla
m | نور | Noor / Nur / Nour
m | ولي | Wali / Vali
m | شیر | Sher / Shir
m | رحمت الله | Rahmatullah / Rahmat Ullah
m | سمیع الله | Samiullah / Sami Ullah
m | ذبیح الله | Zabiullah / Zabihullah
m | عزیز | Aziz
m | جمال | Jamal
m | میرویس | Mirwais / Mir Wais
m | اسد | Asad / Assad
m | ایمل | Aimal / Aymal
m | وحید | Wahid / Waheed
m | فرید | Farid / Fareed
m | بلال | Bilal / Belal
m | اسماعیل | Ismail / Esmail
m | ادریس | Idris / Edris / Idrees
m | یاسین | Yasin / Yaseen
m | طاهر | Tahir / Taher
m | یونس | Yunus / Younus
m | هارون | Haroon / Harun / Haroun
m | خان | Khan
m | حمید | Hamid / Hameed
m | لطیف | Latif / Lateef
f | ملالۍ | Malalai / Malalay
f | زرغونه | Zarghuna / Zarghona
f | پښتنه | Pashtana / Pakhtana
f | سپوږمۍ | Spogmai / Spozhmai / Spozhmay
f | شګوفه | Shagufa / Shogofa / Shugufa
f | ګلالۍ | Gulalai / Gulalay
f | وږمه | Wagma / Wazhma
f | نازو | Nazo / Nazu
f | تورپیکۍ | Torpekai / Tor Pekai
f | حمیده | Hamida / Hameeda
f | فرښته | Fereshta / Freshta / Farishta
f | زهره | Zuhra / Zohra / Zahra
f | مینه | Mina / Meena
f | شبنم | Shabnam
f | سیما | Sima / Seema
f | لطیفه | Latifa / Lateefa
f | رابعه | Rabia / Rabea
f | نجیبه | Najiba / Najeeba
""")

PASHTO_FAMILY = _parse("""
- | احمدزی | Ahmadzai / Ahmadzay / Ahmedzai
- | یوسفزی | Yousafzai / Yusufzai / Yousufzai
- | پوپلزی | Popalzai / Popalzay
- | بارکزی | Barakzai / Barakzay / Barekzai
- | دراني | Durrani / Durani
- | غلجي | Ghilzai / Ghaljai / Ghilji
- | مومند | Mohmand / Momand
- | اپریدی | Afridi / Apridi / Afreedi
- | شینواری | Shinwari / Shinwary
- | وردګ | Wardak / Wardag
- | ځدراڼ | Zadran / Dzadran / Jadran
- | ستانکزی | Stanikzai / Stanekzai / Stanakzai
- | صافي | Safi / Saafi
- | نیازي | Niazi / Niyazi
- | خټک | Khattak / Khatak
- | منګل | Mangal
- | اڅکزی | Achakzai / Achekzai / Atsakzai
- | الکوزی | Alokozai / Alakozai / Alkozai
- | نورزی | Noorzai / Nurzai / Noorzay
- | کاکړ | Kakar / Kakkar
- | هوتک | Hotak / Hotaki
- | ترکی | Taraki / Tarakai
- | تڼی | Tanai / Tani / Tanay
- | سلیمانخېل | Sulaimankhel / Sulemankhel / Suleiman Khel
- | کرزی | Karzai / Karzay
- | جلالزی | Jalalzai / Jalalzay
- | لودین | Ludin / Lodin / Loudin
- | زازی | Zazai / Zazay
- | خروټی | Kharoti / Kharooti
- | وزیر | Wazir / Vazir
- | ساپی | Sapi / Saapi
""")

# Kurdish: Sorani in Arabic script (the Kurdistan Region's orthography: ێ ۆ ڕ ڵ ە ڤ) as native
# form, then Kurmanji Latin orthography (Hawar alphabet, Celadet Bedirxan 1932: ç ş ê î û x
# q w) and the spellings of Iraqi, Syrian and Turkish documents.
KURDISH_GIVEN = _parse("""
m | ئازاد | Azad
m | شێرکۆ | Şêrko / Sherko / Shirko
m | ڕێباز | Rêbaz / Rebaz
m | کاوە | Kawa / Kawe
m | باران | Baran
m | بەرزان | Berzan / Barzan
m | دڵشاد | Dilşad / Dilshad
m | ڕزگار | Rizgar
m | شۆڕش | Şoreş / Shoresh
m | هێمن | Hêmin / Hemin
m | کاروان | Karwan
m | سەردار | Serdar / Sardar
m | سۆران | Soran
m | زانا | Zana
m | وڵات | Welat / Velat
m | ڕێناس | Rênas / Renas
m | جوان | Ciwan / Jiwan
m | بێوار | Bêwar / Bewar
m | دیار | Diyar / Dyar
m | هەژار | Hejar / Hazhar
m | شیار | Şiyar / Shiyar
m | فەرهاد | Ferhad / Farhad / Ferhat
m | خەلیل | Xelîl / Khalil
m | حەسەن | Hesen / Hasan / Hassan
m | سلێمان | Silêman / Sleman / Suleiman
m | محەمەد | Mihemed / Muhammad / Mohammed
m | ئەحمەد | Ehmed / Ahmad / Ahmed
m | عەبدولڕەحمان | Evdirehman / Abdulrahman / Abdurrahman
m | کەمال | Kemal / Kamal
m | فورات | Fîrat / Firat
f | ڕۆژدا | Rojda
f | هیڤی | Hêvî / Hevi
f | ژیندا | Jînda / Jinda / Zhinda
f | بەفرین | Berfîn / Berfin
f | گوڵستان | Gulîstan / Gulistan
f | نێرگز | Nêrgiz / Nergiz / Nergis
f | شیرین | Şîrîn / Shirin
f | ڕووکەن | Rûken / Ruken
f | زۆزان | Zozan
f | دیلان | Dilan
f | نەورۆز | Newroz / Nawroz / Nevroz
f | ڕووناهی | Ronahî / Ronahi
f | هێلین | Hêlîn / Helin
f | بێریڤان | Bêrîvan / Berivan / Beriwan
f | ژیان | Jiyan / Zhiyan
f | دەلال | Delal
f | غەزاڵ | Xezal / Ghazal / Khazal
f | لەیلا | Leyla / Layla
f | گوڵێ | Gulê / Gule
f | ئەڤین | Avîn / Avin / Awin
""")

KURDISH_FAMILY = _parse("""
- | بارزانی | Barzanî / Barzani
- | تاڵەبانی | Talabanî / Talabani
- | ئامێدی | Amêdî / Amedi / Amadi
- | زێباری | Zêbarî / Zebari
- | دۆسکی | Doskî / Doski
- | مزووری | Mizûrî / Mizuri / Mezuri
- | بەرواری | Berwarî / Berwari / Barwari
- | هەورامی | Hewramî / Hawrami / Hewrami
- | شنگالی | Şingalî / Shingali / Shengali
- | سلێڤانی | Silêvanî / Silevani / Slevani
- | خۆشناو | Xoşnaw / Khoshnaw
- | بابان | Baban
- | جاف | Caf / Jaf
- | بۆتانی | Botanî / Botani
- | شێخانی | Şêxanî / Sheikhani / Shexani
- | حاجی | Hecî / Haji / Hajji
- | عەزیز | Ezîz / Aziz
- | کوردی | Kurdî / Kurdi
- | ئەحمەد | Ehmed / Ahmed / Ahmad
- | محەمەد | Mihemed / Mohammed / Muhammad
- | مووسا | Mûsa / Musa / Mousa
- | خەلیل | Xelîl / Khalil
- | ڕەشید | Reşîd / Rashid / Reshid
- | حەسەن | Hesen / Hasan / Hassan
- | شەریف | Şerîf / Sherif / Sharif
- | بەدرخان | Bedirxan / Bedirkhan / Badrkhan
- | جزیری | Cizîrî / Ciziri / Jaziri
- | خانی | Xanî / Khani
- | عەفرینی | Efrînî / Afrini / Efrini
- | عومەری | Omerî / Omari / Umari
""")

# Ethiopic (Ge'ez) names: Tigrinya (Eritrea) and Amharic (Ethiopia). Neither tradition has
# family names: a person is given name + father's given name + grandfather's given name, so
# the given names below are also the "family names" offices record. Latin spellings as on
# Eritrean and Ethiopian passports (first-order vowel written e or a, sixth-order vowel
# dropped or written e/i, ጸ/ፀ as ts or tz).
TIGRINYA_GIVEN = _parse("""
m | ተኽለ | Tekle / Tecle / Teklay
m | ኪዳነ | Kidane / Kiddane
m | ሃብተ | Habte / Habtay
m | መሓሪ | Mehari / Mehary
m | ፍስሃ | Fisseha / Fsaha / Fishaye
m | ሰመረ | Semere / Semre / Samere
m | ዓወት | Awet / Awot
m | ሙሴ | Musie / Mussie / Muse
m | ኣማኑኤል | Amanuel / Emanuel
m | ዳኒኤል | Daniel / Danial
m | ዮናስ | Yonas / Jonas
m | ኤርምያስ | Ermias / Ermyas / Yermias
m | በረከት | Bereket / Berekhet
m | ሄኖክ | Henok / Hanok
m | ኣብርሃም | Abraham / Abrham / Abreham
m | ጎይትኦም | Goitom / Goytom
m | ምሕረትኣብ | Mehretab / Mihretab / Mhretab
m | ዘርኣይ | Zerai / Zeray
m | ብርሃነ | Berhane / Birhane / Brhane
m | ተስፋይ | Tesfay / Tesfai / Tesfaye
m | ገብረመድህን | Gebremedhin / Ghebremedhin / Gebre Medhin
m | ገብረሂወት | Gebrehiwet / Ghebrehiwet / Gebrehiwot
m | ተወልደ | Tewelde / Tewolde
m | ኣስመሮም | Asmerom / Asmeron
m | ሚካኤል | Mikael / Michael / Mikiel
m | ዮሃንስ | Yohannes / Yohanes / Johannes
m | ሓጎስ | Hagos / Haggos
m | ጸጋይ | Tsegay / Tsegai / Tzegai
m | ኣርኣያ | Araya / Araia
m | ወልደማርያም | Woldemariam / Weldemariam / Woldemaryam
f | ሳባ | Saba
f | ትርሓስ | Tirhas / Terhas / Trhas
f | ለተብርሃን | Letebrhan / Letebirhan / Lete Berhan
f | ሰላም | Selam / Salam
f | ኣብረኸት | Abrehet / Abriehet
f | ሄለን | Helen / Hellen
f | ፍረወይኒ | Freweini / Frewoini / Freweyni
f | ሉላ | Lula / Loula
f | ዮርዳኖስ | Yordanos / Jordanos
f | ሰናይት | Senait / Senayt / Sennait
f | ኤልሳ | Elsa
f | ኣኽበረት | Akberet / Akbret
f | ሃይማኖት | Haymanot / Haimanot
f | ሚልኪ | Milki / Milky
f | ርግበ | Rigbe / Regbe
""")

AMHARIC_GIVEN = _parse("""
m | ተስፋዬ | Tesfaye / Tesfaie / Tesfayie
m | አበበ | Abebe
m | በቀለ | Bekele / Beqele / Bekelle
m | ከበደ | Kebede / Kebbede
m | ግርማ | Girma / Germa
m | ደረጀ | Dereje / Deredje
m | ሰለሞን | Solomon / Selomon
m | ዮሐንስ | Yohannes / Yohanes / Johannes
m | ኃይሉ | Hailu / Haylu
m | መስፍን | Mesfin / Mesfen
m | ታደሰ | Tadesse / Tadese / Taddese
m | አለሙ | Alemu
m | ብርሃኑ | Birhanu / Berhanu / Brhanu
m | ዳዊት | Dawit / Dawitt
m | ሚካኤል | Mikael / Michael
m | ፍቅሩ | Fikru / Fekru
m | ጌታቸው | Getachew / Getachow / Getachewu
m | ዘውዱ | Zewdu / Zewudu / Zawdu
m | ሽፈራው | Shiferaw / Shferaw
m | ወንድሙ | Wondimu / Wendimu / Wendemu
m | ይልማ | Yilma / Yelma
m | አሰፋ | Assefa / Asefa / Aseffa
m | ሙላቱ | Mulatu / Mulattu
m | ንጉሤ | Negussie / Nigussie / Negusse
m | ጥላሁን | Tilahun / Telahun
m | ሀብታሙ | Habtamu / Habtemu
m | እንዳለ | Endale / Indale
m | አማኑኤል | Amanuel / Emanuel
m | ቴዎድሮስ | Tewodros / Teodros
m | ሙሉጌታ | Mulugeta / Mulageta
f | መሰረት | Meseret / Messeret
f | ትዕግስት | Tigist / Tigest / Tegist
f | ብርቱካን | Birtukan / Bertukan
f | አልማዝ | Almaz / Almas
f | ፀሐይ | Tsehay / Tsehai / Tzehay
f | ሰላማዊት | Selamawit / Salamawit
f | መቅደስ | Mekdes / Meqdes / Mekides
f | ሂሩት | Hirut / Heruth
f | ዘነበች | Zenebech / Zenebetch
f | ወይንሸት | Woinshet / Weynshet / Woyneshet
f | ራሔል | Rahel / Raheal
f | ሕይወት | Hiwot / Hiwet / Heywot
f | ቤተልሔም | Betelhem / Bethlehem / Betlehem
f | እመቤት | Emebet / Imebet
f | የሺ | Yeshi / Yeshe
f | ማርታ | Marta / Martha
""")

# Somali: official orthography of 1972 (x = ħ, c = ʕ, dh = ɖ, q = q, doubled vowels long)
# first, then the spellings of Somali, Kenyan and UNHCR documents, which follow English
# practice. No family names: father's and grandfather's given names follow the given name.
SOMALI_GIVEN = _parse("""
m |  | Maxamed / Mohamed / Mohammed / Mahamed
m |  | Cabdi / Abdi
m |  | Cali / Ali
m |  | Xasan / Hassan / Hasan
m |  | Xuseen / Hussein / Husein
m |  | Cumar / Omar / Umar
m |  | Axmed / Ahmed / Ahmad
m |  | Yuusuf / Yusuf / Yousuf
m |  | Ismaaciil / Ismail / Ismael
m |  | Ibraahim / Ibrahim
m |  | Cabdullaahi / Abdullahi / Abdulahi
m |  | Cabdiraxmaan / Abdirahman / Abdurahman
m |  | Maxamuud / Mohamud / Mahmoud
m |  | Faarax / Farah
m |  | Warsame / Warsami
m |  | Jaamac / Jama / Jamac
m |  | Nuur / Nur / Noor
m |  | Aadan / Adan / Aden
m |  | Cismaan / Osman / Usman
m |  | Khaliif / Khalif
m |  | Saciid / Said / Saeed
m |  | Xaaji / Haji / Hadji
m |  | Muuse / Muse / Musa
m |  | Ciise / Isse / Issa
m |  | Guuleed / Guled
m |  | Abshir / Abshiir
m |  | Daahir / Dahir / Daher
m |  | Bashiir / Bashir
m |  | Xirsi / Hirsi
m |  | Cawil / Awil / Awale
f |  | Faadumo / Fadumo / Fatuma
f |  | Xaawo / Hawa / Hawo
f |  | Caasha / Asha / Aisha
f |  | Sahra / Sahro
f |  | Hodan / Hodaan
f |  | Nimco / Nimo / Nimca
f |  | Maryan / Mariam / Maryam
f |  | Khadra / Kadra
f |  | Ayaan / Ayan
f |  | Deeqa / Deqa
f |  | Fartuun / Fartun / Fartoon
f |  | Sacdiyo / Sadiyo / Sadia
f |  | Ubax / Ubah
f |  | Ifraax / Ifrah
f |  | Shukri / Shukry
f |  | Cawo / Awo
f |  | Ruqiyo / Rukia / Ruqia
f |  | Xaliimo / Halima / Halimo
f |  | Amiina / Amina
f |  | Hibo / Hiboo
""")

# Cyrillic: the native form only; every Latin spelling is derived by a published
# transliteration system (spelling.py). Ukrainian names carry their Russian cognate, whose
# spelling Soviet-era and Russian-issued documents use.
UKRAINIAN_GIVEN = _parse("""
m | Олександр | Александр
m | Сергій | Сергей
m | Андрій | Андрей
m | Дмитро | Дмитрий
m | Микола | Николай
m | Володимир | Владимир
m | Віктор | Виктор
m | Юрій | Юрий
m | Олег |
m | Іван | Иван
m | Василь | Василий
m | Михайло | Михаил
m | Петро | Пётр
m | Павло | Павел
m | Богдан |
m | Тарас |
m | Ігор | Игорь
m | Євген | Евгений
m | Максим |
m | Артем | Артём
m | Денис |
m | Олексій | Алексей
m | Віталій | Виталий
m | Ярослав |
m | Григорій | Григорий
m | Степан |
m | Анатолій | Анатолий
m | Валентин |
m | Владислав |
m | Назар |
m | Роман |
m | Костянтин | Константин
m | Остап |
f | Олена | Елена
f | Наталія | Наталья
f | Ірина | Ирина
f | Тетяна | Татьяна
f | Оксана |
f | Юлія | Юлия
f | Світлана | Светлана
f | Людмила |
f | Галина |
f | Марія | Мария
f | Ольга |
f | Анна |
f | Катерина | Екатерина
f | Вікторія | Виктория
f | Олександра | Александра
f | Євгенія | Евгения
f | Валентина |
f | Надія | Надежда
f | Анастасія | Анастасия
f | Дарина |
f | Софія | София
f | Христина | Кристина
f | Яна |
f | Віра | Вера
f | Лариса |
f | Ярослава |
f | Владислава |
f | Олеся |
f | Іванна |
f | Богдана |
""", cyrillic=True)

UKRAINIAN_FAMILY = _parse("""
- | Шевченко |
- | Коваленко |
- | Бондаренко |
- | Ткаченко |
- | Кравченко |
- | Олійник | Олейник
- | Шевчук |
- | Поліщук | Полищук
- | Коваль |
- | Мельник |
- | Бойко |
- | Ткачук |
- | Савченко |
- | Руденко |
- | Мороз |
- | Марченко |
- | Лисенко | Лысенко
- | Петренко |
- | Клименко |
- | Павленко |
- | Кравчук |
- | Кузьменко |
- | Гончаренко |
- | Левченко |
- | Харченко |
- | Литвиненко |
- | Швець | Швец
- | Дорошенко |
- | Ковальчук |
- | Захарченко |
- | Гаврилюк |
- | Сидоренко |
- | Яковенко |
- | Гребенюк |
- | Журавель |
- | Головко |
- | Ярошенко |
- | Юрченко |
- | Білик | Билык
- | Зінченко | Зинченко
""", cyrillic=True)

RUSSIAN_GIVEN = _parse("""
m | Александр |
m | Сергей |
m | Андрей |
m | Дмитрий |
m | Алексей |
m | Михаил |
m | Николай |
m | Владимир |
m | Евгений |
m | Иван |
m | Максим |
m | Артём |
m | Юрий |
m | Игорь |
m | Павел |
m | Пётр |
m | Фёдор |
m | Семён |
m | Григорий |
m | Константин |
m | Виктор |
m | Олег |
m | Роман |
m | Вадим |
m | Вячеслав |
m | Ярослав |
m | Станислав |
m | Владислав |
m | Валентин |
m | Тимур |
m | Руслан |
m | Кирилл |
m | Илья |
m | Матвей |
f | Елена |
f | Наталья |
f | Ирина |
f | Татьяна |
f | Ольга |
f | Светлана |
f | Екатерина |
f | Юлия |
f | Анастасия |
f | Мария |
f | Анна |
f | Дарья |
f | Ксения |
f | Людмила |
f | Галина |
f | Евгения |
f | Александра |
f | Валентина |
f | Виктория |
f | Софья |
f | Полина |
f | Алёна |
f | Надежда |
f | Любовь |
f | Вера |
f | Ярослава |
f | Станислава |
f | Владислава |
f | Марина |
f | Ульяна |
""", cyrillic=True)

# Russian family names are written here in the masculine form; spelling.py derives the
# feminine one (Иванов/Иванова, Вишневский/Вишневская).
RUSSIAN_FAMILY = _parse("""
- | Иванов |
- | Смирнов |
- | Кузнецов |
- | Попов |
- | Васильев |
- | Петров |
- | Соколов |
- | Михайлов |
- | Новиков |
- | Фёдоров |
- | Морозов |
- | Волков |
- | Алексеев |
- | Лебедев |
- | Семёнов |
- | Егоров |
- | Павлов |
- | Козлов |
- | Степанов |
- | Николаев |
- | Орлов |
- | Андреев |
- | Макаров |
- | Никитин |
- | Захаров |
- | Зайцев |
- | Соловьёв |
- | Борисов |
- | Яковлев |
- | Григорьев |
- | Щербаков |
- | Жуков |
- | Чернышёв |
- | Цветков |
- | Хохлов |
- | Шестаков |
- | Быков |
- | Ковалёв |
- | Королёв |
- | Вишневский |
- | Островский |
- | Юдин |
- | Ефимов |
""", cyrillic=True)

# Turkish: Turkish orthography (1928 alphabet: ç ğ ı İ ö ş ü); all other spellings derived.
TURKISH_GIVEN = _parse("""
m |  | Mehmet
m |  | Mustafa
m |  | Ahmet
m |  | Hüseyin
m |  | Hasan
m |  | İbrahim
m |  | İsmail
m |  | Osman
m |  | Yusuf
m |  | Murat
m |  | Ömer
m |  | Ramazan
m |  | Halil
m |  | Süleyman
m |  | Mahmut
m |  | Recep
m |  | Kemal
m |  | Fatih
m |  | Uğur
m |  | Çağlar
m |  | Gökhan
m |  | Şükrü
m |  | Tuğrul
m |  | Oğuz
m |  | Barış
m |  | Doğan
m |  | Serkan
m |  | Yiğit
m |  | Çetin
m |  | İlker
f |  | Fatma
f |  | Ayşe
f |  | Emine
f |  | Hatice
f |  | Zeynep
f |  | Elif
f |  | Meryem
f |  | Şerife
f |  | Zehra
f |  | Hanife
f |  | Merve
f |  | Özlem
f |  | Gülsüm
f |  | Büşra
f |  | Songül
f |  | Gülay
f |  | Şeyma
f |  | Tuğba
f |  | Çiğdem
f |  | Nurcan
f |  | İlknur
f |  | Gönül
f |  | Hülya
f |  | Ümmühan
f |  | Aslı
""")

TURKISH_FAMILY = _parse("""
- |  | Yılmaz
- |  | Kaya
- |  | Demir
- |  | Şahin
- |  | Çelik
- |  | Yıldız
- |  | Yıldırım
- |  | Öztürk
- |  | Aydın
- |  | Özdemir
- |  | Arslan
- |  | Doğan
- |  | Kılıç
- |  | Çetin
- |  | Koç
- |  | Kurt
- |  | Özkan
- |  | Şimşek
- |  | Korkmaz
- |  | Karataş
- |  | Güneş
- |  | Erdoğan
- |  | Çakır
- |  | Aktaş
- |  | Keskin
- |  | Ünal
- |  | Güler
- |  | Işık
- |  | Uçar
- |  | Sarıkaya
- |  | Bozkurt
- |  | Gündüz
- |  | Küçük
""")

# Albanian: standard orthography (ç ë, digraphs dh gj ll nj rr sh th xh zh); derived: the
# Serbo-Croatian spellings of Yugoslav documents (Krasniqi → Krasnići) and ASCII/German forms.
ALBANIAN_GIVEN = _parse("""
m |  | Arbër
m |  | Agim
m |  | Besnik
m |  | Bujar
m |  | Driton
m |  | Fatmir
m |  | Ilir
m |  | Luan
m |  | Shkëlqim
m |  | Valon
m |  | Ardit
m |  | Blerim
m |  | Gëzim
m |  | Artan
m |  | Dritan
m |  | Ermal
m |  | Flamur
m |  | Labinot
m |  | Qëndrim
m |  | Shpëtim
m |  | Bekim
m |  | Skënder
m |  | Përparim
m |  | Xhevdet
m |  | Afrim
m |  | Gjergj
m |  | Naim
f |  | Arta
f |  | Besa
f |  | Blerina
f |  | Dafina
f |  | Donika
f |  | Drita
f |  | Fatmire
f |  | Flutura
f |  | Jeta
f |  | Lindita
f |  | Lirije
f |  | Mimoza
f |  | Shqipe
f |  | Teuta
f |  | Vjosa
f |  | Afërdita
f |  | Diellza
f |  | Edona
f |  | Fjolla
f |  | Shpresa
f |  | Valbona
f |  | Xhemile
f |  | Gjyljeta
f |  | Agime
""")

ALBANIAN_FAMILY = _parse("""
- |  | Hoxha
- |  | Krasniqi
- |  | Gashi
- |  | Berisha
- |  | Morina
- |  | Shala
- |  | Bytyqi
- |  | Kastrati
- |  | Thaçi
- |  | Rexhepi
- |  | Osmani
- |  | Hasani
- |  | Ahmeti
- |  | Hyseni
- |  | Kelmendi
- |  | Sejdiu
- |  | Zeqiri
- |  | Rama
- |  | Çela
- |  | Dervishi
- |  | Shehu
- |  | Lleshi
- |  | Gjoka
- |  | Xhaferi
- |  | Qerimi
- |  | Bajrami
- |  | Haxhiu
- |  | Ismaili
- |  | Halili
- |  | Kuçi
- |  | Elezi
- |  | Dushku
""")

# German: standard orthography; umlaut and ß forms derived (ICAO Doc 9303 Part 3: Ä → AE or
# A, Ö → OE or O, Ü → UE or U, ß → SS), plus the spelling variants of one name in registers.
GERMAN_GIVEN = _parse("""
m |  | Jürgen
m |  | Jörg / Joerg
m |  | Günter / Günther / Gunter
m |  | Björn
m |  | Sören / Soeren
m |  | Jörn
m |  | Matthias / Mathias
m |  | Stefan / Stephan
m |  | Christoph / Christof / Kristof
m |  | Carsten / Karsten
m |  | Philipp / Philip
m |  | Ralf / Ralph
m |  | Kai / Kay
m |  | Klaus / Claus
m |  | Josef / Joseph
m |  | Mirko
m |  | Lukas / Lucas
m |  | Marc / Mark
m |  | Niklas / Nicklas / Nicolas
m |  | Hans-Jürgen / Hansjürgen
m |  | Uwe
m |  | Daniel
m |  | Michael
m |  | Paul
m |  | Christian / Kristian
f |  | Bärbel
f |  | Käthe / Käte
f |  | Katrin / Kathrin / Catrin
f |  | Christina / Kristina
f |  | Sophie / Sofie
f |  | Meike / Maike
f |  | Claudia / Klaudia
f |  | Annegret / Anngret
f |  | Jutta
f |  | Jördis
f |  | Ulrike
f |  | Yvonne / Ivonne
f |  | Stefanie / Stephanie
f |  | Daniela
f |  | Michaela
f |  | Paula
f |  | Christiane / Kristiane
""")

GERMAN_FAMILY = _parse("""
- |  | Müller
- |  | Meier / Meyer / Maier / Mayer
- |  | Schmidt / Schmitt / Schmid
- |  | Weiß / Weiss
- |  | Schäfer / Schaefer / Schäffer
- |  | Hoffmann / Hofmann
- |  | Wolf / Wolff
- |  | Schröder
- |  | Schwarz / Schwartz
- |  | Zimmermann / Zimmerman
- |  | Krüger
- |  | Köhler
- |  | Jäger / Jaeger
- |  | Groß / Gross
- |  | Böhm / Boehm
- |  | Fischer
- |  | Becker
- |  | Günther / Günter
- |  | Schulz / Schultz / Schulze
- |  | Neumann
- |  | Krämer / Kraemer / Kremer
- |  | Schütz / Schuetz
- |  | Jüngling
- |  | Größer
- |  | Hübner / Huebner
- |  | Förster / Foerster
- |  | Strauß / Strauss
- |  | Bäumer
- |  | Lübke / Luebke
- |  | Görlitz
- |  | Wöhler
- |  | Fuß / Fuss
""")

def _forms(text: str) -> tuple[tuple[str, str], ...]:
    """``masculine/feminine`` pairs separated by white space."""
    return tuple((pair.split("/")[0], pair.split("/")[1]) for pair in text.split())


# Patronymics (по батькові / отчество): Russian and Ukrainian documents carry the father's name
# in this form after the given name; some offices copy it into the given names, others drop it.
RUSSIAN_PATRONYMICS = _forms("""
Александрович/Александровна Сергеевич/Сергеевна Андреевич/Андреевна Николаевич/Николаевна
Владимирович/Владимировна Викторович/Викторовна Иванович/Ивановна Олегович/Олеговна
Игоревич/Игоревна Дмитриевич/Дмитриевна Юрьевич/Юрьевна Петрович/Петровна Павлович/Павловна
Михайлович/Михайловна Евгеньевич/Евгеньевна
""")
UKRAINIAN_PATRONYMICS = _forms("""
Олександрович/Олександрівна Сергійович/Сергіївна Андрійович/Андріївна Миколайович/Миколаївна
Володимирович/Володимирівна Вікторович/Вікторівна Іванович/Іванівна Петрович/Петрівна
Михайлович/Михайлівна Васильович/Василівна Юрійович/Юріївна Олегович/Олегівна
Дмитрович/Дмитрівна Богданович/Богданівна Степанович/Степанівна
""")
